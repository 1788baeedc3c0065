"""`make bench`: figures for the API handlers, printed next to their goals (never a test).

`python -m tests.bench` runs everything; `bench_routes` (per route: DynamoDB requests per call and
in-process latency against moto next to the same DynamoDB calls made directly) and `bench_cold`
(cold init and peak memory of each function, each in a fresh process) can run alone:
`python -m tests.bench.bench_routes`, `python -m tests.bench.bench_cold`."""
