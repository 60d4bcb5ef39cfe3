package io.vmha.health;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/** Passes when {@code GET url} answers the expected status within the timeout (connect and response). */
public final class HttpProbe implements ProbeCheck {
    private final URI url;
    private final int expectStatus;
    private final Duration timeout;
    private final HttpClient client;

    public HttpProbe(String url, int expectStatus, long timeoutMillis) {
        this.url = URI.create(url);
        this.expectStatus = expectStatus;
        this.timeout = Duration.ofMillis(timeoutMillis);
        // Redirects are answers too: a health endpoint that redirects is judged by its own status.
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override public ProbeOutcome run() {
        long start = System.nanoTime();
        try {
            HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            int status = response.statusCode();
            return ProbeOutcome.of(status == expectStatus ? ProbeOutcome.Status.PASS : ProbeOutcome.Status.FAIL, start,
                    "GET " + url + ": status " + status + (status == expectStatus ? "" : ", expected " + expectStatus));
        } catch (HttpTimeoutException e) {
            return ProbeOutcome.of(ProbeOutcome.Status.TIMEOUT, start, "GET " + url + " timed out after " + timeout.toMillis() + " ms");
        } catch (IOException | IllegalArgumentException e) {
            return ProbeOutcome.of(ProbeOutcome.Status.FAIL, start, "GET " + url + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ProbeOutcome.of(ProbeOutcome.Status.ERROR, start, "GET " + url + ": interrupted");
        }
    }
}
