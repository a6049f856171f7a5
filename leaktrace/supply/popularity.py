"""The chance that an account orders a title before its street date, from the account *and*
the title: a logistic model fitted on the whole shipment matrix.

Small shops stock mostly blockbusters, and blockbusters are what leaks. Measuring an
account by its share of *all* titles makes an innocent shop that holds the popular leaked
titles look suspicious. So every account *a* and title *t* it could have ordered (its
distributor carried *t*, street date on or after *a*'s first shipment) is one cell of a
matrix: ``y = 1`` when *a* received *t* before its street date. The model is

    logit P(y_at = 1) = alpha_a + gamma_a * beta_t

``beta_t`` is the title's popularity (shared by all accounts and distributors),
``alpha_a`` the account's appetite and ``gamma_a`` how strongly it follows popularity
(a chain takes nearly everything, a small shop mostly the blockbusters). All three are
shrunk towards "ordinary" by Gaussian priors (penalties ``RIDGE_*``): ``gamma_a`` towards
1, ``alpha_a`` and ``beta_t`` towards 0, so an account with few orders is not given a
slope of its own it cannot support. The fit is a penalised maximum likelihood found by
block Newton steps (every account's two parameters, then every title's), vectorised with
numpy over the dense matrix; between rounds the popularity is kept centred and the mean
slope at 1 (moves that leave every fitted chance as it is, and that the penalties alone
pin only weakly), and it stops when no fitted chance moves by more than 1e-5 in a round:
about 10 rounds, about a second of CPU for 500 accounts by 2,000 titles
(``bench/supply_fit_speed.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "MAX_ITERATIONS",
    "RIDGE_APPETITE",
    "RIDGE_POPULARITY",
    "RIDGE_SLOPE",
    "OrderModel",
    "fit_order_model",
]

RIDGE_APPETITE = 0.1
"""Penalty on ``alpha_a`` (a Gaussian prior with standard deviation about 3)."""
RIDGE_POPULARITY = 0.1
"""Penalty on ``beta_t`` (standard deviation about 3)."""
RIDGE_SLOPE = 4.0
"""Penalty on ``gamma_a - 1`` (standard deviation 0.5): slopes stay near 1 unless an
account's orders show clearly otherwise."""
MAX_ITERATIONS = 200
_TOLERANCE = 1e-5
"""Stop when no fitted chance moved by more than this in a round."""
_MAX_STEP = 2.0

Array = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class OrderModel:
    """The fitted model: :meth:`chance` gives P(account ``key`` orders ``work_id`` before
    its street date)."""

    accounts: Mapping[int, int]
    titles: Mapping[str, int]
    appetite: Array
    slope: Array
    popularity: Array
    iterations: int

    def chance(self, key: int, work_id: str) -> float:
        a = self.accounts[key]
        t = self.titles[work_id]
        eta = float(self.appetite[a] + self.slope[a] * self.popularity[t])
        return 1.0 / (1.0 + float(np.exp(-eta)))


def fit_order_model(
    cells: Mapping[int, Sequence[tuple[str, bool]]], *, slopes: bool = True
) -> OrderModel:
    """Fit the model on ``cells``: for every account key, the titles it could have ordered,
    each with whether it received it before its street date. ``slopes=False`` fixes every
    ``gamma_a`` at 1 (the plain additive model)."""
    keys = sorted(cells)
    accounts = {k: i for i, k in enumerate(keys)}
    titles: dict[str, int] = {}
    for k in keys:
        for work_id, _ in cells[k]:
            titles.setdefault(work_id, len(titles))
    n_a, n_t = len(keys), len(titles)
    mask = np.zeros((n_a, n_t))
    y = np.zeros((n_a, n_t))
    rows: list[int] = []
    cols: list[int] = []
    hits: list[float] = []
    for k in keys:
        row = accounts[k]
        for work_id, got in cells[k]:
            rows.append(row)
            cols.append(titles[work_id])
            hits.append(1.0 if got else 0.0)
    mask[rows, cols] = 1.0
    y[rows, cols] = hits
    alpha = np.zeros(n_a)
    gamma = np.ones(n_a)
    beta = np.zeros(n_t)
    before: Array | None = None
    iterations = 0
    for iterations in range(1, MAX_ITERATIONS + 1):  # noqa: B007 - reported on the model
        _account_step(mask, y, alpha, gamma, beta, slopes)
        mu = _title_step(mask, y, alpha, gamma, beta)
        # alpha + gamma * beta is unchanged by shifting beta against alpha and by scaling
        # beta against gamma: keep the popularity centred and the mean slope at 1, so the
        # fit does not drift along those lines (the penalties alone pin them only weakly)
        centre = float(beta.mean()) if n_t else 0.0
        beta -= centre
        alpha += gamma * centre
        scale = float(gamma.mean()) if n_a else 1.0
        if slopes and scale > 0.0:
            gamma /= scale
            beta *= scale
        # the chances this round started the titles' step from, against the last round's
        change = 1.0 if before is None else float(np.max(np.abs((mu - before) * mask), initial=0.0))
        before = mu
        if change < _TOLERANCE:
            break
    return OrderModel(accounts, titles, alpha, gamma, beta, iterations)


def _sigmoid(eta: Array) -> Array:
    out: Array = 1.0 / (1.0 + np.exp(-np.clip(eta, -35.0, 35.0)))
    return out


def _account_step(
    mask: Array, y: Array, alpha: Array, gamma: Array, beta: Array, slopes: bool
) -> None:
    """One Newton step for every account's ``(alpha, gamma)`` at once (in place)."""
    mu = _sigmoid(alpha[:, None] + gamma[:, None] * beta[None, :])
    resid = (y - mu) * mask
    weight = mu * (1.0 - mu) * mask
    g_a = resid.sum(axis=1) - RIDGE_APPETITE * alpha
    h_aa = weight.sum(axis=1) + RIDGE_APPETITE
    if not slopes:
        alpha += np.clip(g_a / h_aa, -_MAX_STEP, _MAX_STEP)
        return
    g_g = resid @ beta - RIDGE_SLOPE * (gamma - 1.0)
    h_ag = weight @ beta
    h_gg = weight @ (beta * beta) + RIDGE_SLOPE
    det = h_aa * h_gg - h_ag * h_ag
    step_a = np.clip((h_gg * g_a - h_ag * g_g) / det, -_MAX_STEP, _MAX_STEP)
    step_g = np.clip((h_aa * g_g - h_ag * g_a) / det, -_MAX_STEP, _MAX_STEP)
    alpha += step_a
    gamma += step_g


def _title_step(mask: Array, y: Array, alpha: Array, gamma: Array, beta: Array) -> Array:
    """One Newton step for every title's ``beta`` at once (in place); gives the fitted
    chances it started from."""
    mu = _sigmoid(alpha[:, None] + gamma[:, None] * beta[None, :])
    resid = (y - mu) * mask
    weight = mu * (1.0 - mu) * mask
    g_b = gamma @ resid - RIDGE_POPULARITY * beta
    h_bb = (gamma * gamma) @ weight + RIDGE_POPULARITY
    beta += np.clip(g_b / h_bb, -_MAX_STEP, _MAX_STEP)
    return mu
