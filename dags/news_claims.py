"""Every morning: fetch the news reports of the losses and read their claims into core.claim / mart.news_claims."""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Param, PokeReturnValue, TriggerRule, dag, task

from etl.config import setting
from etl.losses.freshness import poll_seconds
from etl.news.feeds import DEFAULT_MATCH
from etl.news.sources import configured_feeds, configured_urls
from etl.warehouse.dag_defaults import daily_dag_args, optional_date

DOC = """
### news_claims

Runs at **10:30 Kyiv time or once the day's bulletin is loaded, whichever comes later**, and reads the
loss figures the news reported. The crawls start at 10:30; `wait_for_day` (a sensor in reschedule mode,
polling the warehouse every `ATTRITION_POLL_SECONDS`) holds `extract_claims` back until the run's day
has accepted values, i.e. until `validate` of losses_daily has updated the asset
`attrition://warehouse/accepted_series` for that day, so a General Staff figure is compared only with
a loaded day (not left `no_series`). After 8 hours of waiting it gives up and the claims are compared
with what is there. Only scheduled runs wait: a run someone triggers (from the UI, the REST API or
`airflow dags test`) and a run with `date_from` compare with what the warehouse holds now.

1. `crawl_kyiv_independent`: the Kyiv Independent's daily *"General Staff: Russia has lost … troops"*
   article (its RSS feed; with `date_from`/`date_to`, its post sitemap), archived byte-exact in
   `raw.document` (a `scrapy crawl` subprocess).
2. `crawl_articles`: the generic article spider over the form's **feeds** (RSS/Atom) and **urls**
   (Newsweek, Ukrinform, AP and others); feed items whose title or summary matches `match` are fetched.
3. `extract_claims`: each article's text and published date from the page's metadata (JSON-LD, Open
   Graph, `<time>`), its **claims** (General Staff totals and increases, other claimants' estimates:
   Russia's defence ministry, the UK, NATO, US intelligence, others) with their dates, stored in
   `core.claim` and `mart.news_claims`. General Staff figures are **compared with the accepted bulletin
   series** for their day; a mismatch records an alert `news_mismatch` and never changes the series.

A fetch error, a page that is not a readable article (no body, no published date) or a figure that
cannot be read fails the run **after** the other articles are stored, naming the source, URL and field;
the raw documents are kept. Re-running changes nothing that is unchanged.

**Offline (`make up` with the replay) this DAG stays paused**: it reads the live news sites, which do
not answer then, and its runs would fail. Unpause it once the machine is online, or point
`ATTRITION_KYIV_INDEPENDENT_BASE_URL` and `ATTRITION_NEWS_FEEDS` at a news replay
(`python -m etl.news.replay`).
"""

OFFLINE = setting("ATTRITION_SOURCES_MODE") == "replay"

FORM = {
    "kyiv_independent": Param(
        True,
        type="boolean",
        title="Kyiv Independent",
        description="Fetch the Kyiv Independent's daily General Staff article.",
    ),
    "feeds": Param(
        configured_feeds(),
        type="array",
        items={"type": "string"},
        title="Feeds",
        description="RSS or Atom feeds for the generic article spider (default: ATTRITION_NEWS_FEEDS, "
        "else Ukrinform's and Newsweek's feeds).",
    ),
    "urls": Param(
        configured_urls(),
        type="array",
        items={"type": "string"},
        title="Article URLs",
        description="Article pages to fetch as they are (AP and others without a feed).",
    ),
    "match": Param(
        DEFAULT_MATCH,
        type="string",
        title="Feed filter",
        description="Regular expression a feed item's title, summary or URL must match to be fetched; "
        "empty fetches every item.",
    ),
    "date_from": optional_date(
        "From", "Backfill: first publication day (Kyiv Independent sitemap, feed items); empty for the daily run."
    ),
    "date_to": optional_date("To", "Backfill: last publication day; empty for no upper bound."),
}


@dag(
    **daily_dag_args(
        "news_claims",
        "30 10 * * *",
        doc=DOC,
        description=(
            "Paused: the sources are the replay (offline) and this DAG reads the live news sites; "
            "unpause it when online."
            if OFFLINE
            else "The news reports' loss claims, every morning."
        ),
        tags=["attrition", "news", "daily"],
        retries=1,
        retry_delay=timedelta(minutes=5),
        params=FORM,
    )
)
def news_claims():
    @task(doc_md="Fetch the Kyiv Independent's daily General Staff article(s) into raw.document.")
    def crawl_kyiv_independent(**context) -> dict:
        from etl.news.tasks import crawl

        return crawl("news_kyiv_independent", context["params"], context["run_id"])

    @task(doc_md="Fetch the articles of the form's feeds and URLs into raw.document.")
    def crawl_articles(**context) -> dict:
        from etl.news.tasks import crawl

        return crawl("news_article", context["params"], context["run_id"])

    @task(
        trigger_rule=TriggerRule.ALL_DONE,
        retries=0,
        doc_md="Read the fetched articles' claims, compare the General Staff figures with the bulletin series, "
        "store them (core.claim, mart.news_claims) and record news_mismatch alerts.",
    )
    def extract_claims(*crawls, **context) -> dict:
        from etl.news.tasks import extract

        return extract(list(crawls), context["params"], context["run_id"])

    @task.sensor(
        mode="reschedule",
        poke_interval=poll_seconds(),
        timeout=8 * 3600,
        retries=0,
        doc_md="Wait until the run's day (Kyiv) has accepted values in the warehouse (the asset "
        "attrition://warehouse/accepted_series updated for it); only scheduled runs wait.",
    )
    def wait_for_day(**context) -> PokeReturnValue:
        from etl.losses.freshness import day_accepted
        from etl.losses.tasks import daily_target

        run_type = getattr(context["dag_run"].run_type, "value", context["dag_run"].run_type)
        if context["params"].get("date_from") or run_type != "scheduled":
            print(f"a {run_type} run does not wait for the day's bulletin")
            return PokeReturnValue(is_done=True, xcom_value=None)
        day = daily_target({}, context["dag_run"].run_after)
        done = day_accepted(day)
        print(f"the bulletin of {day} is {'loaded' if done else 'not loaded yet'}")
        return PokeReturnValue(is_done=done, xcom_value=str(day))

    claims = extract_claims(crawl_kyiv_independent(), crawl_articles())
    wait_for_day() >> claims


news_claims()
