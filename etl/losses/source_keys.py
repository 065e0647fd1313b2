"""New source keys: field names a source prints that the parser does not know.

The russianwarship parser reads past a stats key outside its known set
(:data:`etl.losses.parsers.russianwarship.KNOWN_KEYS`) instead of refusing the reply; ground robotic systems
may arrive that way.  :func:`record_new_keys`, called by the loader in the load's transaction, keeps
every such key in ``core.source_key`` (first and last day, last value, documents) and raises **one**
``new_source_key`` alert per (source, key): its incident key is ``new_source_key:<source>:<key>``, so
a re-run, a retried task or a later reply with the same key raises nothing new.  A key whose value
is 0 is recorded too (a new field often starts at 0).
"""

from __future__ import annotations

import json


def new_keys_of(source: str, body: bytes, url: str, content_type: str | None):
    """The unknown keys one document carries (only russianwarship has keyed fields)."""
    if source != "russianwarship":
        return []
    from etl.domain.model import ParseError
    from etl.losses.parsers import russianwarship

    try:
        return russianwarship.new_keys(body, url, content_type)
    except ParseError:  # the parse itself reports it
        return []


def record_new_keys(cur, parsed) -> list[dict]:
    """Record the unknown keys of the parsed documents (``[(Document, observations)]``) and alert once
    per key; returns one entry per (document, key) seen, ``new`` True when this load raised the alert."""
    from etl.warehouse.alerts import record_alert

    seen: list[dict] = []
    for doc, observations in parsed:
        keys = getattr(observations, "new_keys", None)  # read by the parse (etl.domain.model.Parsed)
        if keys is None:  # observations from elsewhere: the document is read for its keys
            keys = new_keys_of(doc.source, doc.body, doc.url, doc.content_type)
        for k in keys:
            incident = f"new_source_key:{doc.source}:{k.key}"
            value = json.dumps(k.last_value)
            cur.execute(
                """
                INSERT INTO core.source_key AS t (source, key, category, first_as_of, last_as_of, last_value,
                                                  first_document_id, last_document_id, incident_key)
                VALUES (%s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s)
                ON CONFLICT (source, key) DO UPDATE SET
                    category = coalesce(EXCLUDED.category, t.category),
                    first_as_of = least(t.first_as_of, EXCLUDED.first_as_of),
                    last_value = CASE WHEN EXCLUDED.last_as_of >= t.last_as_of THEN EXCLUDED.last_value
                                      ELSE t.last_value END,
                    last_as_of = greatest(t.last_as_of, EXCLUDED.last_as_of),
                    last_document_id = EXCLUDED.last_document_id,
                    documents = t.documents + 1,
                    last_seen_at = now()
                """,
                (doc.source, k.key, k.category, k.first_day, k.last_day, value, doc.id, doc.id, incident),
            )
            read = (
                f"read as the category {k.category}"
                if k.category
                else "not read: no category alias names it, so nothing of it was stored"
            )
            alert_id = record_alert(
                cur,
                "new_source_key",
                incident,
                f"[attrition] new {doc.source} key: {k.key}",
                f"{doc.source} printed the key {k.key!r}, which the parser does not know, in {doc.url} "
                f"({k.first_day}..{k.last_day}, {k.days} day(s), last value {k.last_value!r}); it was {read}. "
                "The rest of the document was loaded. A new key may be a new category (ground robotic systems): "
                "if it names one, add the key as an alias in etl/domain/categories.py and run attrition rebuild; "
                "core.source_key / mart.new_source_keys keep every unknown key.",
                {"source": doc.source, "url": doc.url, "document_id": doc.id, **k.to_json()},
                severity="info" if k.category else "warning",
            )
            seen.append(
                {"source": doc.source, "url": doc.url, **k.to_json(), "new": alert_id is not None, "alert_id": alert_id}
            )
    return seen
