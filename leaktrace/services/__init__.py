"""The service layer: one function per use case, called by the CLI and the web app.

Every service takes the :class:`~leaktrace.services.context.AppContext` first, then an
:class:`~leaktrace.identity.actor.Actor` when it writes or reads personal data, then
typed arguments, and returns typed read models (:mod:`leaktrace.services.views`).

Transactions: only services open them (``ctx.database.transaction()`` /
``ctx.database.reading()``); everything below a service takes a connection.
"""
