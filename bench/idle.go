package bench

import (
	"context"
	"fmt"
	"net/http"
)

// idle reports the resident memory of a server that has just started and
// answered one health check, before any deliberation.
func (r *run) idle(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.srv.URL+"/healthz", nil)
	if err != nil {
		return err
	}
	res, err := r.api.http.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("/healthz: %s", res.Status)
	}
	m, err := procStatus(r.srv.cmd.Process.Pid)
	if err != nil {
		return err
	}
	r.add(Result{Figure: "idle", ID: "idle.rss", Label: "server RSS after start, idle", Unit: "MiB",
		Value: mb(m["VmRSS"]), Measure: Plain, Target: "<= 30",
		Note: fmt.Sprintf("VmRSS after start and one /healthz: %.1f MB anonymous (heap, stacks), %.1f MB of the binary's pages (RssFile)",
			mb(m["RssAnon"]), mb(m["RssFile"]))})
	return nil
}
