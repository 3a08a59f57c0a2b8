package server

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// openAPIDoc is the part of docs/openapi.yaml the tests read.
type openAPIDoc struct {
	OpenAPI    string                          `yaml:"openapi"`
	Paths      map[string]map[string]yaml.Node `yaml:"paths"`
	Components map[string]map[string]yaml.Node `yaml:"components"`
}

// openAPIOp is one operation of a path item.
type openAPIOp struct {
	OperationID string                    `yaml:"operationId"`
	Responses   map[string]map[string]any `yaml:"responses"`
}

func loadOpenAPI(t *testing.T) (openAPIDoc, []byte) {
	t.Helper()
	raw, err := os.ReadFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPIDoc
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	return doc, raw
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// documentedRoutes lists "METHOD /path" of every operation in the document.
func documentedRoutes(doc openAPIDoc) []string {
	var out []string
	for path, item := range doc.Paths {
		for method := range item {
			if slices.Contains(httpMethods, method) {
				out = append(out, strings.ToUpper(method)+" "+path)
			}
		}
	}
	sort.Strings(out)
	return out
}

// methodless are the patterns routes.go registers without a method: the
// "/api/" fallback for unknown routes (not a route), and the web UI at "/",
// whose own mux answers only GET.
var methodless = map[string]string{"/api/": "", "/": "GET /"}

// registeredRoutes reads routes.go and lists the patterns passed to
// mux.Handle, each as "METHOD /path".
func registeredRoutes(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "routes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
			return true
		}
		lit, ok := call.Args[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			t.Errorf("routes.go registers a pattern that is not a string literal at %v", lit)
			return true
		}
		pattern, _ := strconv.Unquote(lit.Value)
		if method, _, ok := strings.Cut(pattern, " "); ok && method == strings.ToUpper(method) {
			out = append(out, pattern)
			return true
		}
		route, known := methodless[pattern]
		switch {
		case !known:
			t.Errorf("routes.go registers %q without a method: document it and add it to methodless", pattern)
		case route != "":
			out = append(out, route)
		}
		return true
	})
	sort.Strings(out)
	return out
}

// TestOpenAPI_RoutesMatchServer: the document lists exactly the routes
// routes.go registers, both ways.
func TestOpenAPI_RoutesMatchServer(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi: %q, want 3.1.x", doc.OpenAPI)
	}
	got, want := documentedRoutes(doc), registeredRoutes(t)
	if len(want) < 10 {
		t.Fatalf("found only %d routes in routes.go: %v", len(want), want)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("docs/openapi.yaml and server/routes.go differ (-routes.go +openapi.yaml):\n%s", diff)
	}
}

// TestOpenAPI_Responses: every operation answers something 2xx (or, for
// the sign-in's redirects, 3xx), every
// /api/ operation documents 401, and every error status statusOf can give
// is documented somewhere.
func TestOpenAPI_Responses(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	documented := map[string]bool{}
	for path, item := range doc.Paths {
		for method, node := range item {
			if !slices.Contains(httpMethods, method) {
				continue
			}
			name := strings.ToUpper(method) + " " + path
			var op openAPIOp
			if err := node.Decode(&op); err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if op.OperationID == "" {
				t.Errorf("%s has no operationId", name)
			}
			ok2xx := false
			for status := range op.Responses {
				documented[status] = true
				ok2xx = ok2xx || strings.HasPrefix(status, "2") || (strings.HasPrefix(path, "/auth/") && strings.HasPrefix(status, "3"))
			}
			if !ok2xx {
				t.Errorf("%s documents no 2xx response", name)
			}
			if strings.HasPrefix(path, "/api/") && op.Responses["401"] == nil {
				t.Errorf("%s does not document 401", name)
			}
		}
	}
	codes := doc.Components["schemas"]["ErrorCode"]
	var ec struct {
		Enum []string `yaml:"enum"`
	}
	if err := codes.Decode(&ec); err != nil || len(ec.Enum) == 0 {
		t.Fatalf("components.schemas.ErrorCode has no enum: %v", err)
	}
	for _, code := range ec.Enum {
		status := strconv.Itoa(statusOf(code))
		if code != "internal" && status == "500" {
			t.Errorf("ErrorCode %q maps to 500 in statusOf: not an HTTP error code", code)
		}
		if code != "internal" && !documented[status] {
			t.Errorf("ErrorCode %q (status %s) is never documented as a response", code, status)
		}
	}
	for _, s := range []string{"400", "401", "403", "404", "409", "413", "415", "429", "503"} {
		if !documented[s] {
			t.Errorf("status %s is documented nowhere", s)
		}
	}
}

// TestOpenAPI_RefsResolve: every $ref points at a component that exists.
func TestOpenAPI_RefsResolve(t *testing.T) {
	doc, raw := loadOpenAPI(t)
	var tree any
	if err := yaml.Unmarshal(raw, &tree); err != nil {
		t.Fatal(err)
	}
	refs := 0
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k == "$ref" {
					refs++
					checkRef(t, doc, x)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(tree)
	if refs < 20 {
		t.Errorf("only %d $refs found", refs)
	}
}

func checkRef(t *testing.T, doc openAPIDoc, ref any) {
	t.Helper()
	s, _ := ref.(string)
	parts := strings.Split(strings.TrimPrefix(s, "#/components/"), "/")
	if !strings.HasPrefix(s, "#/components/") || len(parts) != 2 {
		t.Errorf("$ref %q is not a local component", s)
		return
	}
	if _, ok := doc.Components[parts[0]][parts[1]]; !ok {
		t.Errorf("$ref %q points at nothing", s)
	}
}
