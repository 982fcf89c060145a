"""signal-cli-rest-api access: `client.SignalClient` (typed calls), `receiver.Receiver` (poll or
WebSocket with backoff), `errors` (typed, classified failures), `models` (frozen results) and
`groupid` (the one place converting group ids). Nothing here imports textual."""
