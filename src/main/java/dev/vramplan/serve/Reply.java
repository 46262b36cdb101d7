package dev.vramplan.serve;

import dev.vramplan.answer.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** An HTTP answer: status, content type and body. JSON bodies are written as the command line prints them. */
record Reply(int status, String contentType, byte[] body) {
    static final String JSON = "application/json; charset=utf-8";
    static final String HTML = "text/html; charset=utf-8";

    Reply {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("not an HTTP status: " + status);
        }
    }

    /** 200 with a JSON document, byte for byte what the matching command prints with --format json. */
    static Reply json(Object value) {
        return json(200, value);
    }

    static Reply json(int status, Object value) {
        return new Reply(status, JSON, (Json.text(value) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    static Reply html(String page) {
        return new Reply(200, HTML, page.getBytes(StandardCharsets.UTF_8));
    }

    /** An error body: {@code {error, field, suggestion}}, the field and suggestion null where there is none. */
    static Reply error(int status, String error, String field, String suggestion) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", error);
        m.put("field", field);
        m.put("suggestion", suggestion);
        return json(status, m);
    }
}
