const { total } = require("./cart");

test("adds prices times quantities", () => {
  expect(total([{ price: 2, quantity: 3 }])).toBe(6);
});
