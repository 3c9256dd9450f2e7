package org.crsaug.model.llm;

import com.openai.errors.OpenAIServiceException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** How long to wait before calling an OpenAI-compatible endpoint again; shared by the judge and the encoder. */
public final class RetryAfter {

    private RetryAfter() {
    }

    /**
     * The wait the server asked for: {@code retry-after-ms}, else {@code retry-after} in seconds or as
     * an HTTP date. Empty when neither is there or readable.
     */
    public static Optional<Long> requestedMs(OpenAIServiceException e) {
        List<String> ms = e.headers().values("retry-after-ms");
        try {
            if (!ms.isEmpty()) {
                return Optional.of((long) Double.parseDouble(ms.get(0).strip()));
            }
            List<String> s = e.headers().values("retry-after");
            if (s.isEmpty()) {
                return Optional.empty();
            }
            String v = s.get(0).strip();
            if (v.matches("\\d+(\\.\\d+)?")) {
                return Optional.of((long) (Double.parseDouble(v) * 1000));
            }
            ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
            return Optional.of(Math.max(0, at.toInstant().toEpochMilli() - System.currentTimeMillis()));
        } catch (RuntimeException malformed) {
            return Optional.empty();
        }
    }

    /**
     * Exponential backoff with jitter between half and all of the bound, so retrying replicas do not
     * align. {@code attempt} counts from 1.
     */
    public static long backoffMs(int attempt, long baseMs, long maxMs) {
        long cap = Math.max(1, Math.min(maxMs, baseMs * (1L << Math.min(20, attempt - 1))));
        return ThreadLocalRandom.current().nextLong(cap / 2, cap + 1);
    }
}
