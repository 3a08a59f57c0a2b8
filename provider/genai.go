package provider

// GenAIName is the OpenTelemetry GenAI semantic conventions' name of a
// MAGI provider (gen_ai.provider.name): the conventions' own for the known
// ones (bedrock is "aws.bedrock"), "magi.sim" for the simulated council.
// Spans and metrics name providers by it.
func GenAIName(provider string) string {
	switch provider {
	case "bedrock":
		return "aws.bedrock"
	case "sim":
		return "magi.sim"
	}
	return provider
}
