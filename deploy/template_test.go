package deploy

import (
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// cfn is a parsed CloudFormation template. Short-form intrinsic functions
// (!Ref, !Sub, !GetAtt, !If …) are kept as the tag of their node.
type cfn struct{ root *yaml.Node }

func loadTemplate(t *testing.T) cfn {
	t.Helper()
	b, err := os.ReadFile("template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	return cfn{doc.Content[0]}
}

// at follows mapping keys from the root; nil when a key is missing.
func (c cfn) at(path ...string) *yaml.Node {
	n := c.root
	for _, key := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return n
}

// scalars is every scalar under n, tags included ("!Ref X").
func scalars(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
			return []string{n.Tag + " " + n.Value}
		}
		return []string{n.Value}
	}
	var out []string
	for _, c := range n.Content {
		out = append(out, scalars(c)...)
	}
	return out
}

func TestTemplate_Function(t *testing.T) {
	tpl := loadTemplate(t)
	fn := []string{"Resources", "Magi"}
	props := append(fn, "Properties")
	if got := tpl.at(append(fn, "Type")...); got == nil || got.Value != "AWS::Serverless::Function" {
		t.Fatalf("Resources.Magi is not an AWS::Serverless::Function")
	}
	if got := tpl.at("Transform"); got == nil || got.Value != "AWS::Serverless-2016-10-31" {
		t.Error("no SAM transform")
	}
	want := map[string]string{
		"Runtime": "provided.al2023", "Handler": "bootstrap", "Timeout": "900",
		"CodeUri":                             "../build/magi-lambda.zip",
		"FunctionUrlConfig.AuthType":          "AWS_IAM",
		"FunctionUrlConfig.InvokeMode":        "RESPONSE_STREAM",
		"Environment.Variables.MAGI_PROVIDER": "bedrock",
		"Environment.Variables.MAGI_DB":       "!Ref DatabaseURL",
		"Environment.Variables.MAGI_MODEL":    "!Ref Model",
	}
	for key, v := range want {
		got := scalars(tpl.at(append(props, strings.Split(key, ".")...)...))
		if len(got) != 1 || got[0] != v {
			t.Errorf("%s = %v, want %s", key, got, v)
		}
	}
	if got := scalars(tpl.at(append(props, "Architectures")...)); !slices.Equal(got, []string{"arm64"}) {
		t.Errorf("Architectures = %v, want [arm64]", got)
	}
	cors := append(props, "FunctionUrlConfig", "Cors")
	for _, k := range []string{"AllowOrigins", "AllowMethods", "AllowHeaders"} {
		if len(scalars(tpl.at(append(cors, k)...))) == 0 {
			t.Errorf("FunctionUrlConfig.Cors.%s is missing", k)
		}
	}
	if got := scalars(tpl.at(append(cors, "AllowMethods")...)); !slices.Contains(got, "POST") || !slices.Contains(got, "GET") {
		t.Errorf("Cors.AllowMethods = %v, want GET and POST", got)
	}
	if got := scalars(tpl.at(append(cors, "AllowOrigins")...)); !slices.Equal(got, []string{"!Ref AllowedOrigins"}) {
		t.Errorf("Cors.AllowOrigins = %v, want the AllowedOrigins parameter", got)
	}
}

func TestTemplate_DatabaseIsASecretParameter(t *testing.T) {
	tpl := loadTemplate(t)
	p := tpl.at("Parameters", "DatabaseURL")
	if p == nil {
		t.Fatal("no DatabaseURL parameter")
	}
	if got := tpl.at("Parameters", "DatabaseURL", "NoEcho"); got == nil || got.Value != "true" {
		t.Error("DatabaseURL is not NoEcho")
	}
	if tpl.at("Parameters", "DatabaseURL", "Default") != nil {
		t.Error("DatabaseURL has a default: a deploy without a database would start a function that cannot run")
	}
	pattern := tpl.at("Parameters", "DatabaseURL", "AllowedPattern")
	if pattern == nil || !strings.Contains(pattern.Value, "postgres") {
		t.Error("DatabaseURL does not insist on a postgres:// URL")
	}
}

func TestTemplate_BedrockPolicy(t *testing.T) {
	tpl := loadTemplate(t)
	all := scalars(tpl.at("Resources", "Magi", "Properties", "Policies"))
	for _, want := range []string{"bedrock:InvokeModelWithResponseStream", "bedrock:InvokeModel",
		"!Sub arn:${AWS::Partition}:bedrock:*::foundation-model/*",
		"!Sub arn:${AWS::Partition}:bedrock:*:${AWS::AccountId}:inference-profile/*"} {
		if !slices.Contains(all, want) {
			t.Errorf("the policies lack %q; have %v", want, all)
		}
	}
	for _, s := range all {
		if s == "*" || s == "bedrock:*" {
			t.Errorf("the policies grant %q", s)
		}
	}
}

func TestTemplate_OutputsTheURL(t *testing.T) {
	tpl := loadTemplate(t)
	got := scalars(tpl.at("Outputs", "FunctionUrl", "Value"))
	// SAM names the function URL resource of function Magi "MagiUrl".
	if !slices.Equal(got, []string{"!GetAtt MagiUrl.FunctionUrl"}) {
		t.Errorf("Outputs.FunctionUrl = %v", got)
	}
}

// TestTemplate_EveryRefIsDefined: each !Ref names a parameter, a resource
// or a pseudo parameter, so CloudFormation will not reject the template.
func TestTemplate_EveryRefIsDefined(t *testing.T) {
	tpl := loadTemplate(t)
	defined := map[string]bool{"MagiUrl": true}
	for _, section := range []string{"Parameters", "Resources"} {
		n := tpl.at(section)
		for i := 0; i+1 < len(n.Content); i += 2 {
			defined[n.Content[i].Value] = true
		}
	}
	for _, s := range scalars(tpl.root) {
		name, ok := strings.CutPrefix(s, "!Ref ")
		if ok && !defined[name] && !strings.HasPrefix(name, "AWS::") {
			t.Errorf("!Ref %s: no such parameter or resource", name)
		}
	}
}

func TestSAMConfig_DeploysAlone(t *testing.T) {
	b, err := os.ReadFile("samconfig.toml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`stack_name = "magi"`, `capabilities = "CAPABILITY_IAM"`, `resolve_s3 = true`, "region = "} {
		if !strings.Contains(s, want) {
			t.Errorf("samconfig.toml lacks %s", want)
		}
	}
}
