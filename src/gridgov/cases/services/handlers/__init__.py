"""The action handlers, grouped by concern. Each takes the context and its typed command; the guard
(cases.guards) has already said yes, so a handler checks only what its parameters name."""
