"""Import jobs: batching, pacing, resume and reconcile. No Qt."""
