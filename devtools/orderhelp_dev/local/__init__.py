"""The local stack: everything runs on one machine without Docker or an AWS account."""
