"""signal-cli-rest-api access: `client.SignalClient` (typed calls), `receiver.Receiver` (poll or
WebSocket with backoff), `errors` (typed, classified failures) and `models` (frozen results).
Group ids and addresses: `signal_tui.ids`. Nothing here imports textual, the cache or core."""
