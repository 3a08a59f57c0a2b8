package fakellm

import (
	"context"
	"net"
	"net/http"
	"time"
)

// Listen serves s on addr (e.g. "127.0.0.1:0") in the background. It
// returns the base URL to give an OpenAI client (ending in /v1) and a stop
// function that closes the listener and every open stream, then waits for
// the server to finish.
func (s *Server) Listen(addr string) (baseURL string, stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln) // returns http.ErrServerClosed once stop runs
	}()
	stop = func() {
		_ = srv.Close()
		<-done
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.WaitIdle(ctx)
	}
	return "http://" + ln.Addr().String() + "/v1", stop, nil
}
