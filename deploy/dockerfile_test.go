package deploy

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// dockerFile is what the tests read of agentcore/Dockerfile.
type dockerFile struct {
	from       []string
	user       string
	expose     []string
	entrypoint []string
	cmd        []string
	copies     [][]string // the arguments of each COPY, flags left out
}

// dockerfile parses agentcore/Dockerfile: comments, continuation lines,
// and the exec (JSON) form of ENTRYPOINT and CMD.
func dockerfile(t *testing.T) dockerFile {
	t.Helper()
	b, err := os.ReadFile("agentcore/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var d dockerFile
	text := strings.ReplaceAll(string(b), "\\\n", " ")
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		word, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		switch strings.ToUpper(word) {
		case "FROM":
			d.from = strings.Fields(rest)
		case "USER":
			d.user = rest
		case "EXPOSE":
			d.expose = strings.Fields(rest)
		case "ENTRYPOINT":
			d.entrypoint = execForm(t, rest)
		case "CMD":
			d.cmd = execForm(t, rest)
		case "COPY":
			var args []string
			for _, f := range strings.Fields(rest) {
				if !strings.HasPrefix(f, "--") {
					args = append(args, f)
				}
			}
			d.copies = append(d.copies, args)
		}
	}
	return d
}

func execForm(t *testing.T, s string) []string {
	t.Helper()
	var args []string
	if err := json.Unmarshal([]byte(s), &args); err != nil {
		t.Fatalf("%s is not in exec (JSON) form: %v", s, err)
	}
	return args
}

// command is what the container runs: ENTRYPOINT, then CMD.
func (d dockerFile) command() []string {
	return append(append([]string{}, d.entrypoint...), d.cmd...)
}

func (d dockerFile) copySource() string {
	if len(d.copies) != 1 || len(d.copies[0]) != 2 {
		return ""
	}
	return d.copies[0][0]
}

func (d dockerFile) copyDest() string {
	if len(d.copies) != 1 || len(d.copies[0]) != 2 {
		return ""
	}
	return d.copies[0][1]
}
