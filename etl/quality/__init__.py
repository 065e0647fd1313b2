"""The data-quality gate: which observed figures become the accepted series, and why."""
