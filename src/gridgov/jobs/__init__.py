"""Background work and the state processes share (kernel-level, just above the database plumbing).

- `ports`: `Job` and the `JobQueue` port a unit of work writes its jobs through, in its own transaction;
- `inprocess`: the SQLite/embedded adapter (jobs handed to the threads of this process after commit);
- `pgqueue`: the PostgreSQL adapter on procrastinate (jobs are rows written in the transaction that causes
  them; periodic jobs deferred once per period across any number of workers);
- `shared`: token buckets and stream leases in a database table, so limits hold across processes;
- `notify`: one LISTEN connection per process fanning PostgreSQL NOTIFY payloads out to subscribers.

Task bodies (enrichment, the deadline scan, checkpoints) belong to the features; `gridgov.worker` binds them
to task names, so nothing here imports a feature.
"""
