"""Knowledge: the Markdown pages at `/kennis`, the building-block model of Oost-Nederland as
versioned data, and the SROI calculator on an enterprise's page."""
