package dev.bunting.api;

import java.util.List;

/**
 * An object whose stored form could not be read exactly into this model: the API server accepted a value that the
 * schema allows but the model cannot hold (Flagger's CRDs declare whole-number fields as {@code type: number}, so
 * {@code stepWeight: 10.5} passes admission). The reader keeps the object readable (the value is truncated or clamped)
 * and lists each such field here, so the controller reports the object as invalid instead of acting on it. Empty for
 * an object read exactly; not serialized.
 */
public interface ReadProblems {
  List<String> readProblems();

  void readProblems(List<String> problems);
}
