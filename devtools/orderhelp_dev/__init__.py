"""Developer tooling of the Order Help Center: the `orderhelp` command line, the local stack and
the OpenAPI generator. None of it ships in a Lambda artefact; `sam build` packages
`functions/orderhelp` (what Lambda runs) and `statemachine/lifecycle` (the rules) only."""
