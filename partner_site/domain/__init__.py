"""Business rules, independent of HTTP: the web pages, the API and the CLI all call these."""
