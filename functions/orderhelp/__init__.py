"""Order Help Center: Lambda handlers, services and the DynamoDB store (the AWS side)."""
