export interface Shape {
  area(): number;
}

export type Point = { x: number; y: number };

export enum Color { Red, Green }

export class Circle implements Shape {
  constructor(private radius: number) {}
  area(): number {
    return Math.PI * this.radius ** 2;
  }
}

export function perimeter(shape: Circle): number {
  return 0;
}
