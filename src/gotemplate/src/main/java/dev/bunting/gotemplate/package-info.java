/**
 * Go's {@code text/template} language for metric queries ({@link dev.bunting.gotemplate.GoTemplate}) and
 * Go's {@code fmt} formatting ({@link dev.bunting.gotemplate.GoFormat}), faithful to Go's output and
 * error messages; checked against Go itself by {@code GoTemplateOracleTest}.
 */
package dev.bunting.gotemplate;
