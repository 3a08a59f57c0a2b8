package server_test

// conversationAbuses adds to the abuse table the malformed requests of
// conversations: ids of the conversation routes, follow_up values, the
// export's conversation parameter, methods, keys, another key's.
func conversationAbuses(add func(abuse), badIDs []string) {
	for _, id := range badIDs {
		for _, m := range []string{"GET", "DELETE"} {
			add(abuse{name: "conversation id " + id, method: m, path: "/api/conversations/" + id, status: 404})
		}
	}
	for name, v := range map[string]string{"not an id": `"x"`, "number": `1`, "object": `{}`, "uppercase": `"0123456789ABCDEF0123456789"`,
		"too long": `"0123456789abcdef01234567890"`, "NUL": `"0123456789abcdef012345678\u0000"`, "path": `"../0123456789abcdef0123456"`} {
		for _, route := range bodyRoutes {
			add(abuse{name: "follow_up " + name, method: "POST", path: route, body: `{"question": "ok", "follow_up": ` + v + `}`, status: 400})
		}
	}
	for _, route := range bodyRoutes { // an id no deliberation has: nothing is stored
		add(abuse{name: "follow_up unknown", method: "POST", path: route, body: `{"question": "ok", "follow_up": "ffffffffffffffffffffffffff"}`, status: 404})
	}
	for _, v := range []string{"maybe", "%00", "TRUE", "yes", "%ff", "true%00"} {
		add(abuse{name: "conversation " + v, method: "GET", path: "/api/deliberations/{id}/export?conversation=" + v, status: 400})
	}
	for _, m := range []string{"POST", "PUT", "PATCH"} {
		add(abuse{name: "method", method: m, path: "/api/conversations/{id}", status: 405})
	}
	for name := range keyCases {
		for _, m := range []string{"GET", "DELETE"} {
			add(abuse{name: name, method: m, path: "/api/conversations/{id}", key: name, status: 401})
		}
	}
	for _, r := range [][2]string{{"GET", "/api/conversations/{id}"}, {"DELETE", "/api/conversations/{id}"},
		{"GET", "/api/deliberations/{id}/export?conversation=true"}} {
		add(abuse{name: "another key's conversation", method: r[0], path: r[1], key: "bob", status: 404})
	}
}
