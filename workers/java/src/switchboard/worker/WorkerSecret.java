// The worker secret (docs/design.md, "Functions host"): the host starts the worker with a random
// SWITCHBOARD_WORKER_SECRET and sends it in the x-switchboard-worker-secret header of every request.
// The worker takes it out of its environment before any function code runs (so System.getenv() and
// child processes never see it) and compares what a request carries in constant time.
package switchboard.worker;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

final class WorkerSecret {
    static final String VARIABLE = "SWITCHBOARD_WORKER_SECRET";
    static final String HEADER = "x-switchboard-worker-secret";
    static final String CHALLENGE_HEADER = "x-switchboard-worker-challenge";
    static final String PROOF_HEADER = "x-switchboard-worker-proof";

    private final byte[] digest;

    private WorkerSecret(String secret) {
        digest = sha256(secret);
    }

    /** Reads the secret and removes it from the environment; null when it is not set. */
    static WorkerSecret takeFromEnvironment() {
        String secret = System.getenv(VARIABLE);
        if (secret == null || secret.isEmpty()) return null;
        removeFromEnvironment(VARIABLE);
        return new WorkerSecret(secret);
    }

    /**
     * The answer to the host's readiness challenge (header CHALLENGE_HEADER, on a probe without the
     * secret): lower-case hex of HMAC-SHA256 keyed with the secret's SHA-256, sent back in
     * PROOF_HEADER, so that the host sends the secret to no other program that took the port.
     */
    String proof(String challenge) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(digest, "HmacSHA256"));
            byte[] sum = mac.doFinal(challenge.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder(sum.length * 2);
            for (byte b : sum) hex.append(Character.forDigit((b >> 4) & 15, 16)).append(Character.forDigit(b & 15, 16));
            return hex.toString();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether a request's header value is the secret (null: the header was missing). */
    boolean matches(String given) {
        return given != null && MessageDigest.isEqual(sha256(given), digest);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // System.getenv() is an unmodifiable view of the process's environment map, which ProcessBuilder
    // copies for children; the worker is started with --add-opens java.base/java.util so that the
    // variable can be removed from the map behind the view.
    @SuppressWarnings("unchecked")
    private static void removeFromEnvironment(String name) {
        Map<String, String> view = System.getenv();
        try {
            Field inner = view.getClass().getDeclaredField("m");
            inner.setAccessible(true);
            ((Map<String, String>) inner.get(view)).remove(name);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot remove " + name + " from the environment (start the JVM with"
                    + " --add-opens java.base/java.util=ALL-UNNAMED): " + e, e);
        }
        if (System.getenv(name) != null) throw new IllegalStateException(name + " is still in the environment");
    }
}
