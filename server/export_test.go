package server

// Excerpt is excerpt, for the tests of package server_test.
var Excerpt = excerpt
