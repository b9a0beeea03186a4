"""The hotspots' feeds: each hotspot's RSS/Atom news feed and iCalendar agenda feed, read as
politely as the label registries and published as NEWS and AGENDA events.

fetch (the polite client, a feed's own failures), parse_news and parse_agenda (documents to
contract items), sanitise (the HTML allow-list and plain titles), detect (pure: what we knew
+ one good run -> events), state (one key per feed in `scraper-state`), run (one feed run).
"""
