package fakebedrock

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// Frame is one message of Bedrock's binary event stream.
type Frame struct {
	// Exception marks an exception frame; Name is then its
	// :exception-type, else the :event-type.
	Exception bool
	Name      string
	// Payload is the frame's JSON.
	Payload string
}

// Event is an event frame.
func Event(name, payload string) Frame { return Frame{Name: name, Payload: payload} }

// Exception is an exception frame, as Bedrock sends mid-stream
// (throttlingException, modelStreamErrorException, …).
func Exception(name, payload string) Frame {
	return Frame{Exception: true, Name: name, Payload: payload}
}

// StartFrames sends the headers of a successful ConverseStream response.
func StartFrames(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
	w.Header().Set("X-Amzn-Requestid", "5d0f6c44-0000-4000-8000-000000000000")
	w.WriteHeader(http.StatusOK)
}

// WriteFrames answers a ConverseStream call with frames, flushing each. It
// stops at the first frame that cannot be written and returns its error.
func WriteFrames(w http.ResponseWriter, frames []Frame) error {
	StartFrames(w)
	enc := eventstream.NewEncoder()
	for _, f := range frames {
		if err := WriteFrame(enc, w, f); err != nil {
			return err
		}
	}
	return nil
}

// WriteFrame encodes f as one binary event stream message and flushes it.
func WriteFrame(enc *eventstream.Encoder, w http.ResponseWriter, f Frame) error {
	var msg eventstream.Message
	if f.Exception {
		msg.Headers.Set(":message-type", eventstream.StringValue("exception"))
		msg.Headers.Set(":exception-type", eventstream.StringValue(f.Name))
	} else {
		msg.Headers.Set(":message-type", eventstream.StringValue("event"))
		msg.Headers.Set(":event-type", eventstream.StringValue(f.Name))
	}
	msg.Headers.Set(":content-type", eventstream.StringValue("application/json"))
	msg.Payload = []byte(f.Payload)
	if err := enc.Encode(w, msg); err != nil {
		return err
	}
	return http.NewResponseController(w).Flush()
}

// WriteError answers with an AWS JSON error: x-amzn-ErrorType and a body.
func WriteError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", code+":http://internal.amazon.com/coral/com.amazon.bedrock/")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"message":%q}`, msg)
}

// exceptions are the Bedrock errors an HTTP status stands for.
var exceptions = map[int]string{
	400: "ValidationException", 401: "UnrecognizedClientException", 403: "AccessDeniedException",
	404: "ResourceNotFoundException", 408: "ModelTimeoutException", 424: "ModelErrorException",
	429: "ThrottlingException", 500: "InternalServerException", 503: "ServiceUnavailableException",
}

// ExceptionFor is the Bedrock error code sent with status.
func ExceptionFor(status int) string {
	if c, ok := exceptions[status]; ok {
		return c
	}
	if status >= 500 {
		return "InternalServerException"
	}
	return "ValidationException"
}

// ModelOf returns the model id and operation of a runtime call path,
// /model/{modelId}/converse-stream.
func ModelOf(r *http.Request) (model, op string) {
	rest, _ := strings.CutPrefix(r.URL.EscapedPath(), "/model/")
	id, op, _ := strings.Cut(rest, "/")
	model, _ = url.PathUnescape(id)
	return model, op
}
