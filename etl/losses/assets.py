"""The Airflow assets of the pipeline, as plain URIs (the DAG files build ``airflow.sdk.Asset`` from them).

``ACCEPTED_SERIES_URI``: the accepted series in the warehouse (core.accepted and the marts after the gate);
updated by the ``validate`` task of losses_daily and losses_backfill; news_claims is scheduled on it.
"""

ACCEPTED_SERIES_URI = "attrition://warehouse/accepted_series"
