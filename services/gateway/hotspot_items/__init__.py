"""The hotspots' news and agenda as buyers read them: projected from NEWS and AGENDA into the
read model, shown on `/nieuws`, `/agenda` and `/hotspots/<slug>`, and passed on as RSS and
iCalendar feeds per region and as JSON under `/api/v1`."""
