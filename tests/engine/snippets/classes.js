// Classes: inheritance, super, accessors, statics, fields, private names.
class Animal {
  static count = 0;
  #secret = "s";
  name;
  constructor(name) { this.name = name; Animal.count++; }
  speak() { return `${this.name} makes a sound`; }
  get secret() { return this.#secret; }
  set secret(v) { this.#secret = v; }
  static create(n) { return new this(n); }
  #hidden() { return "hidden:" + this.name; }
  reveal() { return this.#hidden(); }
  static #instances = 0;
  static bump() { return ++Animal.#instances; }
}
class Dog extends Animal {
  constructor(name) { super(name); this.kind = "dog"; }
  speak() { return super.speak() + " (woof)"; }
  toString() { return `Dog(${this.name})`; }
}
const d = new Dog("Rex");
print(d.speak()); // expect: Rex makes a sound (woof)
print(String(d), d instanceof Animal, d instanceof Dog); // expect: Dog(Rex) true true
print(d.secret); // expect: s
d.secret = "t";
print(d.secret, d.reveal()); // expect: t hidden:Rex
print(Animal.count, Dog.create("Fido").name, Animal.count); // expect: 1 Fido 2
print(Animal.bump(), Animal.bump()); // expect: 1 2
print(Object.keys(d).join()); // expect: name,kind
print(typeof Animal, Animal.name, Dog.length); // expect: function Animal 1
try { Animal(); } catch (e) { print(e.name); } // expect: TypeError
try { d.reveal.call({}); } catch (e) { print(e.name); } // expect: TypeError
class Point { constructor(x, y) { this.x = x; this.y = y; } static get origin() { return new Point(0, 0); } }
print(Point.origin.x, Object.getPrototypeOf(Dog) === Animal); // expect: 0 true
const Anon = class {};
print(Anon.name); // expect: Anon
class E extends Error { constructor(m) { super(m); this.name = "E"; } }
const e = new E("bad");
print(e instanceof Error, e.message, String(e)); // expect: true bad E: bad
class Base { constructor() { return { custom: true }; } }
class Derived extends Base {}
print(new Derived().custom); // expect: true
const o = { greet() { return "hi " + super.toString.name; } };
print(o.greet()); // expect: hi toString
class Counter { count = 0; inc = () => ++this.count; }
const cnt = new Counter(); const inc = cnt.inc; inc(); inc();
print(cnt.count); // expect: 2
class S { static { S.ready = true; } }
print(S.ready); // expect: true
