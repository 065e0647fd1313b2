"""The Attrition page inside the Airflow UI (an Airflow plugin), its chart and its data queries.

``data``: the read-only queries (series, records awaiting a person, freshness); ``chart``: the one
Vega-Lite spec the page and `attrition chart` both draw; ``plugin``: the FastAPI app and the navigation
entry Airflow's API server loads through the ``airflow.plugins`` entry point.
"""
