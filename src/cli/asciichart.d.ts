/** The part of asciichart (which ships no types) that `sub --graph` uses. */
declare module "asciichart" {
  export interface PlotConfig {
    height?: number;
    min?: number;
    max?: number;
    format?: (x: number, i: number) => string;
  }
  export function plot(series: number[] | number[][], cfg?: PlotConfig): string;
}
