package dev.bunting.notify;

/**
 * The outcome of sending one alert to one provider. Never contains the address or token.
 *
 * @param provider {@code namespace/name (type)} of the AlertProvider, or {@code global (type)}
 * @param delivered whether the service answered with a 2xx status
 * @param message {@code "HTTP 200"}, {@code "HTTP 500: <body excerpt>"}, {@code "timed out after 5s"}, or why the
 *     provider could not be used
 */
public record AlertDelivery(String provider, boolean delivered, String message) {}
