package dev.bunting.api;

import java.util.List;

/**
 * {@code status.analysis} (Bunting): when the current release's analysis started (the start of its metric windows),
 * and what the last analysis tick measured, one entry per metric, so that a person can read why a canary advanced,
 * waited or failed. Written only when an analysis tick runs or a release starts; bounded in size (at most
 * {@link #MAX_METRICS} metrics, texts cut at {@link #MAX_TEXT} characters).
 */
public class AnalysisStatus extends ApiObject {
  public static final int MAX_METRICS = 10;
  public static final int MAX_TEXT = 300;

  /** When this revision's analysis started (RFC 3339): metric windows never reach back before it. */
  public String startedAt;
  /** When the last tick's metrics were evaluated. */
  public String evaluatedAt;
  /** With {@code noData: wait}: since when the analysis has been waiting for data. */
  public String waitingSince;
  /** {@code Passed}, {@code Failed}, {@code Marginal}, {@code Waiting} (the last tick as a whole). */
  public String result;
  /** With {@code analysis.score}: the last tick's score, 0–100. */
  public Double score;
  /** One line: why the tick ended as it did. */
  public String message;
  /** The last tick's metrics, in {@code analysis.metrics} order. */
  public List<Metric> metrics;
  /** How many metrics were left out of {@link #metrics} (beyond {@link #MAX_METRICS}). */
  public Integer omitted;

  /** One metric of the last tick. */
  public static class Metric extends ApiObject {
    public String name;
    /** {@code Passed}, {@code Failed}, {@code NoData}, {@code Waiting}, {@code Skipped} or {@code Error}. */
    public String result;
    /** The rendered canary query, cut at {@link #MAX_TEXT} characters. */
    public String query;
    /** The range the query covered, e.g. {@code 20s}, or {@code 12 × 5s since 10:04:05Z} for samples. */
    public String window;
    /** Threshold judge: the value measured. */
    public Double value;
    /** Threshold judge: the accepted range, e.g. {@code >= 99}, {@code <= 500}, {@code 1 .. 5}. */
    public String range;
    /** Comparison judge: how the canary compared, e.g. {@code mean 1.30x primary, p=0.0004, higher is worse}. */
    public String comparison;
    /** Comparison judge: the canary's samples. */
    public Samples canary;
    /** Comparison judge: the primary's samples. */
    public Samples primary;
    /** With {@code minRequests}: the canary's requests in the window. */
    public Double requests;
    /** The short text Events and alerts carry. */
    public String message;
  }

  /** A summary of one side's samples. */
  public static class Samples extends ApiObject {
    public Integer count;
    public Double median;
    public Double mean;

    public Samples() {}

    public Samples(int count, double median, double mean) {
      this.count = count;
      this.median = median;
      this.mean = mean;
    }
  }

  /** Cuts a text at {@link #MAX_TEXT} characters (with an ellipsis), null stays null. */
  public static String cut(String text) {
    if (text == null || text.length() <= MAX_TEXT) {
      return text;
    }
    return text.substring(0, MAX_TEXT - 1) + "\u2026";
  }
}
