"""Order Help Center: Lambda handlers, services and the DynamoDB store (the AWS side)."""

import gc
import os

# In Lambda, importing a handler is the cold start: the collector is paused until the first
# invocation resumes it (see `orderhelp.observability.end_of_cold_start`). Tests and tools that
# import this package without invoking a handler keep theirs.
if os.environ.get("AWS_EXECUTION_ENV", "").startswith("AWS_Lambda_"):
    gc.disable()
