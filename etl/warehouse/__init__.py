"""Warehouse plumbing: connections, migrations, the raw archive, alerts and their delivery, run locks."""
