// Package deploy holds MAGI's deployment recipes, checked by its tests:
// template.yaml and samconfig.toml (AWS SAM: a Lambda function URL in
// RESPONSE_STREAM mode), build-lambda.sh (the arm64 bootstrap and its zip)
// and agentcore/ (the Bedrock AgentCore Runtime container). See
// docs/DEPLOY.md.
package deploy
