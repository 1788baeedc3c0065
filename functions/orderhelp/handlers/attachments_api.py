"""AttachmentsApiFunction: customers and agents ask for an upload of a photo or a file, and read
what became of it, with short-lived links to it once it is ready.

The file itself never passes through here: the answer to `POST /attachments` is a presigned POST
to the bucket, and the processing function checks the bytes once S3 has them."""

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from pydantic import TypeAdapter, ValidationError

from lifecycle.attachments import OwnerKind
from lifecycle.order import Identifier
from orderhelp.api import Answer, answer_once, create_resolver, current_caller, lambda_entry
from orderhelp.attachment_models import AttachmentUpload, AttachmentView, UploadRequest
from orderhelp.attachment_service import Reader
from orderhelp.changes import RequestContext
from orderhelp.errors import AttachmentNotFound
from orderhelp.observability import count
from orderhelp.records import ActorKind
from orderhelp.wiring import attachment_service

app = create_resolver()

AttachmentIdPath = Annotated[str, Path(min_length=1, description="The attachment's id.")]
_ATTACHMENT_ID: TypeAdapter[str] = TypeAdapter(Identifier)


def _checked_id(raw: str) -> str:
    """An id no attachment can have is simply not found, like any other missing attachment."""
    try:
        return _ATTACHMENT_ID.validate_python(raw)
    except ValidationError as invalid:
        raise AttachmentNotFound(raw[:64]) from invalid


@app.post(
    "/attachments",
    summary="Ask for an upload of a photo or a file",
    description="Answers an S3 presigned POST: send the form's `fields`, then the file as "
    "`file`, to `url` before `expires_at`. S3's policy fixes the key, the content type and the "
    "largest size (the size declared here). The bytes are then checked; `GET "
    "/attachments/{attachment_id}` says when it is `ready` to put on a message "
    "(`attachment_ids`).",
    tags=["attachments"],
    operation_id="request_upload",
    responses={
        201: {
            "description": "The upload's form, and the attachment it will be",
            "content": {"application/json": {"model": AttachmentUpload}},
        }
    },
)
def request_upload(body: Annotated[UploadRequest, Body(embed=False)]) -> Response[str]:
    kind = ActorKind.AGENT if current_caller(app).is_agent else ActorKind.CUSTOMER

    def work(request: RequestContext) -> Answer:
        upload = attachment_service().request_upload(request, body)
        count("UploadRequested", ContentType=str(body.content_type))
        return Answer(HTTPStatus.CREATED, upload)

    return answer_once(app, kind, body, work)


@app.get(
    "/attachments/<attachment_id>",
    summary="An attachment: whether it is ready, and links to it",
    description="For its owner, for agents, and for the customer of the case whose message it "
    "is on (never one on an agents' internal note); anyone else gets the 404 of a missing one. "
    "`download_url` and `thumbnail_url` work for a few minutes.",
    tags=["attachments"],
    operation_id="get_attachment",
    response_description="The attachment as it is now",
)
def get_attachment(attachment_id: AttachmentIdPath) -> AttachmentView:
    caller = current_caller(app)
    reader = Reader(OwnerKind.AGENT if caller.is_agent else OwnerKind.CUSTOMER, caller.subject)
    return attachment_service().view(reader, _checked_id(attachment_id))


handler = lambda_entry(app, authorize=lambda caller: caller)
