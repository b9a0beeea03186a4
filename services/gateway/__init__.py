"""The buyers' gateway: a read model of listed enterprises, served as JSON and as HTML pages."""
