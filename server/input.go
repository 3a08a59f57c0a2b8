package server

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/magi-system/magi"
)

// Every value a request carries is checked here, at the edge, so that no
// store ever sees what it would refuse with a 500: ids of the wrong shape,
// NUL bytes, invalid UTF-8, lone UTF-16 surrogates. Messages quote at
// most an excerpt of what was sent.

// errNoDeliberation answers an id that cannot exist, like the stores
// answer one that does not.
var errNoDeliberation = magi.Errorf(magi.ENOTFOUND, "no such deliberation (see the history for the ids that exist)")

// pathID returns the {id} of r's path: ENOTFOUND when it does not have the
// shape of a deliberation id, without asking the store.
func pathID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !magi.ValidID(id) {
		return "", errNoDeliberation
	}
	return id, nil
}

// listFilter reads the limit and cursor query parameters of the history.
func listFilter(r *http.Request) (magi.ListFilter, error) {
	f := magi.ListFilter{Limit: 20}
	q := r.URL.Query()
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return f, magi.Errorf(magi.EINVALID, "limit must be a number from 1 to 100")
		}
		f.Limit = n
	}
	if v := q.Get("cursor"); v != "" {
		c, err := magi.ParseCursor(v)
		if err != nil {
			return f, err
		}
		if !magi.ValidID(c.ID) {
			return f, magi.Errorf(magi.EINVALID, "invalid cursor: pass the next_cursor of the previous page as it is")
		}
		f.Cursor = v
	}
	return f, nil
}

// lastEventID reads Last-Event-ID (header) or last_event_id (query).
func lastEventID(r *http.Request) (int64, error) {
	v := r.Header.Get("Last-Event-ID")
	if q := r.URL.Query().Get("last_event_id"); q != "" {
		v = q
	}
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return 0, magi.Errorf(magi.EINVALID, "Last-Event-ID must be a non-negative event id, not %s", excerpt(v))
	}
	return n, nil
}

// readQuestion validates the request body; nothing is stored on failure.
func (s *Server) readQuestion(w http.ResponseWriter, r *http.Request) (magi.Question, error) {
	if err := checkContentType(r.Header); err != nil {
		return magi.Question{}, err
	}
	limit := int64(s.opts.MaxQuestionBytes)*2 + 4096
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return magi.Question{}, magi.Errorf(magi.ETOOLARGE, "the request body is over %d bytes", limit)
	} else if err != nil {
		return magi.Question{}, readError(err)
	}
	q, council, err := parseQuestion(body, s.opts.MaxQuestionBytes)
	if err != nil || council == "" {
		return q, err
	}
	q.Preset, err = s.preset(r.Context(), council)
	return q, err
}

// checkContentType refuses a body that is not uncompressed UTF-8 JSON.
// No Content-Type at all is taken as JSON.
func checkContentType(h http.Header) error {
	if ce := h.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return magi.Errorf(magi.EUNSUPPORTED, "send the body uncompressed, without Content-Encoding %s", excerpt(ce))
	}
	ct := h.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return magi.Errorf(magi.EUNSUPPORTED, "send the body as application/json, not %s", excerpt(ct))
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		return magi.Errorf(magi.EUNSUPPORTED, "send the body in UTF-8, not charset %s", excerpt(cs))
	}
	return nil
}

// createRequest is the body of POST /api/deliberations. Fields beyond
// these are allowed and ignored.
type createRequest struct {
	Question string `json:"question"`
	// Prompt is the question's name in the AgentCore contract
	// (/invocations); either field may be used on either route.
	Prompt string `json:"prompt"`
	Rule   string `json:"rule"`
	// Rounds is the most rounds of debate, 1 to magi.MaxRounds; absent
	// means the configuration's default.
	Rounds *int `json:"rounds"`
	// FollowUp is the id of the deliberation this one follows up, in its
	// conversation (see conversations.go).
	FollowUp string `json:"follow_up"`
	// Council names the saved council to ask; absent: the built-in one.
	Council string `json:"council"`
}

// parseQuestion reads a question of at most max bytes from a JSON body,
// and the name of the saved council it is put to ("": none).
func parseQuestion(body []byte, max int) (magi.Question, string, error) {
	if err := checkJSONText(body); err != nil {
		return magi.Question{}, "", err
	}
	var req createRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return magi.Question{}, "", magi.Errorf(magi.EINVALID, "the body is not valid JSON of the form {\"question\": \"...\", \"rule\": \"majority\", \"rounds\": 2}: %s", jsonProblem(err))
	}
	text := strings.TrimSpace(req.Question)
	if text == "" {
		text = strings.TrimSpace(req.Prompt)
	}
	switch {
	case text == "":
		return magi.Question{}, "", magi.Errorf(magi.EINVALID, "the question is empty")
	case len(text) > max:
		return magi.Question{}, "", magi.Errorf(magi.EINVALID, "the question is %d bytes; the limit is %d", len(text), max)
	}
	q := magi.Question{Text: text, ParentID: strings.TrimSpace(req.FollowUp)}
	if q.ParentID != "" && !magi.ValidID(q.ParentID) {
		return magi.Question{}, "", magi.Errorf(magi.EINVALID, "follow_up must be the id of one of your deliberations (see GET /api/deliberations), not %s", excerpt(q.ParentID))
	}
	if req.Rule != "" { // absent: the council's default
		rule, err := magi.ParseRule(req.Rule)
		if err != nil {
			return magi.Question{}, "", magi.Errorf(magi.EINVALID, "unknown rule %s: use majority, unanimous or judge", excerpt(req.Rule))
		}
		q.Rule = rule
	}
	if req.Rounds != nil {
		if err := magi.CheckRounds(*req.Rounds); err != nil {
			return magi.Question{}, "", err
		}
		q.Rounds = *req.Rounds
	}
	return q, req.Council, nil
}

// checkJSONText refuses what encoding/json would silently turn into
// U+FFFD (invalid UTF-8, a lone UTF-16 surrogate escape such as \ud800)
// and the NUL character (\u0000), which no store keeps. It reads only the
// escapes inside strings; the JSON grammar is json.Unmarshal's to check.
func checkJSONText(b []byte) error {
	if !utf8.Valid(b) {
		return magi.Errorf(magi.EINVALID, "the body is not valid UTF-8")
	}
	in := false // inside a string
	for i := 0; i < len(b); i++ {
		if b[i] == '"' {
			in = !in
			continue
		}
		if !in || b[i] != '\\' {
			continue
		}
		if i+1 < len(b) && b[i+1] == 'u' {
			n, err := escapedRune(b, i)
			if err != nil {
				return err
			}
			i += n - 1
			continue
		}
		i++ // a two-character escape: \" \\ \n …
	}
	return nil
}

// escapedRune checks the \uXXXX escape at b[i:], and the low surrogate
// that must follow a high one; it returns how many bytes it read.
func escapedRune(b []byte, i int) (int, error) {
	r1, ok := hex4(b, i)
	switch {
	case !ok:
		return 2, nil // not an escape json accepts: Unmarshal says so
	case r1 == 0:
		return 0, magi.Errorf(magi.EINVALID, "the body contains a NUL character (\\u0000)")
	case r1 >= 0xdc00 && r1 <= 0xdfff:
		return 0, errSurrogate
	case r1 < 0xd800 || r1 > 0xdbff:
		return 6, nil
	}
	if r2, ok := hex4(b, i+6); ok && r2 >= 0xdc00 && r2 <= 0xdfff {
		return 12, nil
	}
	return 0, errSurrogate
}

var errSurrogate = magi.Errorf(magi.EINVALID, "the body contains a lone UTF-16 surrogate escape (\\ud800–\\udfff), which is not a character")

// hex4 reads the escape \uXXXX at b[i:].
func hex4(b []byte, i int) (rune, bool) {
	if i+6 > len(b) || b[i] != '\\' || b[i+1] != 'u' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[i+2:i+6]), 16, 16)
	return rune(n), err == nil
}

// jsonProblem describes a JSON error without echoing the body.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "field " + excerpt(te.Field) + " must be a " + te.Type.String()
	}
	return "malformed JSON"
}

// maxExcerpt is the most of a request's own text an error message quotes.
const maxExcerpt = 32

// excerpt quotes at most maxExcerpt bytes of s, a value a client sent, for
// an error message: whole runes, invalid bytes and control characters
// escaped, "…" when it was cut.
func excerpt(s string) string {
	if len(s) <= maxExcerpt {
		return strconv.Quote(s)
	}
	s = s[:maxExcerpt]
	i := len(s) - 1
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	if !utf8.FullRuneInString(s[i:]) {
		s = s[:i] // do not split a rune
	}
	return strconv.Quote(s) + "…"
}
