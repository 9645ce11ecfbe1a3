//! A JSON request body that may be left out. poem-openapi's `Json` answers 415 to a request without a
//! `Content-Type`, but DESIGN.md's `POST /api/v1/attempts/{id}/submit` takes no body: a client that submits
//! the answers it saved sends nothing.

use poem::{Request, RequestBody};
use poem_openapi::payload::{Json, Payload};
use poem_openapi::registry::{MetaMediaType, MetaRequest, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

/// The body as JSON, or `Null` when the request has neither a body nor a `Content-Type`.
pub struct OptionalJson(pub serde_json::Value);

impl<'a> ApiExtractor<'a> for OptionalJson {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Json<serde_json::Value> as Payload>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: <Json<serde_json::Value> as Payload>::CONTENT_TYPE,
                schema: <serde_json::Value as Type>::schema_ref(),
            }],
            required: false,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        options: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        if request.content_type().is_none() {
            let bytes = body.take()?.into_bytes().await?;
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(Self(serde_json::Value::Null));
            }
            return Err(poem_openapi::error::ContentTypeError::ExpectContentType.into());
        }
        let Json(value) =
            <Json<serde_json::Value> as ApiExtractor>::from_request(request, body, options).await?;
        Ok(Self(value))
    }
}
