"""Leak detection: a release before its window opens is a leak."""

from leaktrace.detect.detector import Alert, Verdict, assess
from leaktrace.detect.rules import RULES, Rule, Severity, rule_for, severity_for, window_for

__all__ = [
    "RULES",
    "Alert",
    "Rule",
    "Severity",
    "Verdict",
    "assess",
    "rule_for",
    "severity_for",
    "window_for",
]
