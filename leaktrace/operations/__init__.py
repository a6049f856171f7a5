"""Action days: operations of a case, their targets, statuses, checklists and outcomes
(pure domain, no storage)."""
