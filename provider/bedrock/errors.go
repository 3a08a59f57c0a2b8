package bedrock

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/magi-system/magi"
	"github.com/magi-system/magi/provider"
)

var (
	// errStopped is the caller stopping the iteration: no error to report.
	errStopped = errors.New("stopped by the caller")
	// errTruncated is a stream that ended before messageStop.
	errTruncated = errors.New("the stream ended before messageStop")
)

// codeKind maps the error codes of Bedrock (and of AWS auth) to a kind.
// The same codes arrive as an HTTP error (x-amzn-ErrorType) or as an
// exception frame mid-stream, so the code, not the status, decides.
var codeKind = map[string]magi.ErrorKind{
	"ThrottlingException":           magi.KindRateLimited,
	"ServiceQuotaExceededException": magi.KindRateLimited,
	"TooManyRequestsException":      magi.KindRateLimited,
	"AccessDeniedException":         magi.KindAuth,
	"UnrecognizedClientException":   magi.KindAuth,
	"InvalidSignatureException":     magi.KindAuth,
	"IncompleteSignature":           magi.KindAuth,
	"MissingAuthenticationToken":    magi.KindAuth,
	"ExpiredToken":                  magi.KindAuth,
	"ExpiredTokenException":         magi.KindAuth,
	"ResourceNotFoundException":     magi.KindNotFound,
	"ValidationException":           magi.KindBadRequest,
	"ModelErrorException":           magi.KindUnavailable,
	"ModelStreamErrorException":     magi.KindStream,
	"ServiceUnavailableException":   magi.KindUnavailable,
	"InternalServerException":       magi.KindUnavailable,
	"ModelNotReadyException":        magi.KindUnavailable,
	"ModelTimeoutException":         magi.KindTimeout,
}

// authHint is what a user reads when Bedrock refuses the credentials: AWS
// has no API key, and the fix may be a permission.
const authHint = "access denied; check the AWS credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) and that they allow bedrock:InvokeModelWithResponseStream on this model"

// classify turns any failure of a call into a *magi.ProviderError whose
// Endpoint is the region, with Bedrock's own hint for refused credentials.
// Credentials never appear in AWS errors.
func (p *Provider) classify(ctx context.Context, model string, err error) *magi.ProviderError {
	return hinted(p.classifyKind(ctx, model, err))
}

// hinted gives pe Bedrock's hint when the credentials were refused.
func hinted(pe *magi.ProviderError) *magi.ProviderError {
	if pe.Kind == magi.KindAuth {
		pe.Hint = authHint
	}
	return pe
}

// classifyKind classifies err for classify.
func (p *Provider) classifyKind(ctx context.Context, model string, err error) *magi.ProviderError {
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = ctxErr
	}
	var status int
	var header http.Header
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		status = re.HTTPStatusCode()
		header = re.Response.Header
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		if errors.Is(err, errTruncated) {
			return p.providerError(magi.KindStream, model, status, err.Error(), err)
		}
		return provider.Classify("bedrock", model, p.region, status, header, "", err)
	}
	detail := api.ErrorMessage()
	kind, ok := kindOf(api.ErrorCode(), detail)
	if !ok {
		return provider.Classify("bedrock", model, p.region, status, header, detail, err)
	}
	pe := p.providerError(kind, model, status, detail, err)
	if pe.Retryable() {
		pe.RetryAfter = provider.RetryAfter(header, time.Now())
	}
	return pe
}

// kindOf classifies an AWS error code. A ValidationException that names the
// model id is a wrong model, not a wrong parameter.
func kindOf(code, detail string) (magi.ErrorKind, bool) {
	code, _, _ = strings.Cut(code, ":")
	kind, ok := codeKind[code]
	if !ok {
		// Exception frames use camelCase names (throttlingException).
		for c, k := range codeKind {
			if strings.EqualFold(c, code) {
				kind, ok = k, true
				break
			}
		}
	}
	if kind == magi.KindBadRequest && aboutModel(detail) {
		kind = magi.KindNotFound
	}
	return kind, ok
}

// aboutModel reports whether a validation message is about the model id,
// as in "The provided model identifier is invalid."
func aboutModel(detail string) bool {
	d := strings.ToLower(detail)
	return strings.Contains(d, "model identifier") || strings.Contains(d, "model id") ||
		strings.Contains(d, "inference profile")
}

// providerError is a failure classified here rather than by provider.Classify.
func (p *Provider) providerError(kind magi.ErrorKind, model string, status int, detail string, err error) *magi.ProviderError {
	return hinted(&magi.ProviderError{Kind: kind, Provider: "bedrock", Model: model, Endpoint: p.region,
		Status: status, Detail: provider.Redact(detail), Err: err})
}
