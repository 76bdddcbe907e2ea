"""The signals our components send each other (``crawler.signals.connect(handler, signal=...)``)."""

# Sent by the capture middleware for every archived response, with request, response, capture and revisit.
exchange_archived = object()
# Sent by the pipeline once the crawl has its ``crawls`` row, with crawl_id: the capture middleware
# names the crawl's CDXJ index after it.
crawl_started = object()
# Sent by the pipeline once the crawl's site_runs rows are written (newsarchive/db/health.py), with
# crawl_id and runs (a list of SiteRun): the run report logs them.
sites_recorded = object()
# Sent by the robots.txt middleware (newsarchive/crawl/politeness.py) for each robots.txt it fetched to
# obey, with response (as read for its rules: an unavailable one's replaced body): the news spider
# takes a site's sitemaps from it instead of fetching robots.txt a second time.
robots_fetched = object()
