package fakeotlp

import (
	"context"
	"net"

	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// GRPC serves the collector over OTLP/gRPC on a new listener of
// 127.0.0.1, until Stop: its URL is what OTEL_EXPORTER_OTLP_ENDPOINT takes
// with OTEL_EXPORTER_OTLP_PROTOCOL=grpc.
type GRPC struct {
	URL string
	srv *grpc.Server
}

// ServeGRPC starts serving c over gRPC.
func (c *Collector) ServeGRPC() (*GRPC, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := grpc.NewServer()
	collectorpb.RegisterTraceServiceServer(srv, traceService{c: c})
	go func() { _ = srv.Serve(ln) }()
	return &GRPC{URL: "http://" + ln.Addr().String(), srv: srv}, nil
}

// Stop stops the server and closes its connections.
func (g *GRPC) Stop() { g.srv.Stop() }

// traceService is the collector's gRPC trace service.
type traceService struct {
	collectorpb.UnimplementedTraceServiceServer
	c *Collector
}

// Export receives one export.
func (s traceService) Export(_ context.Context, req *collectorpb.ExportTraceServiceRequest) (*collectorpb.ExportTraceServiceResponse, error) {
	data, _ := proto.Marshal(req)
	s.c.add(data, req)
	return &collectorpb.ExportTraceServiceResponse{}, nil
}
