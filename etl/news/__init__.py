"""News reports: the General Staff's figures and other claimants' estimates as the news prints them.

* :mod:`etl.news.article` - an article's text, title and published date from HTML metadata
  (JSON-LD, Open Graph, ``<time>``) or from a plain-text file;
* :mod:`etl.news.extract` - the claims extractor (English, Ukrainian, Italian);
* :mod:`etl.news.numbers`, :mod:`etl.news.dates` - number and date mentions;
* :mod:`etl.news.series` - the accepted bulletin series (warehouse or CSV) the claims are dated and
  checked against;
* :mod:`etl.news.store` - ``core.news_article``, ``core.claim``, ``news_mismatch`` alerts;
* :mod:`etl.news.crawl`, :mod:`etl.news.replay` - the news spiders as subprocesses, and a loopback
  server of news pages and feeds for tests;
* :mod:`etl.news.cli` (``attrition claims``), :mod:`etl.news.score` (precision / recall on the
  fixture corpus), :mod:`etl.news.tasks` (the ``news_claims`` DAG's callables).

See docs/news.md.
"""
