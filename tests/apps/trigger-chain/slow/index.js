// invoke("slow", ms): answers after ms milliseconds.
module.exports = async function (context, invocation) {
  await new Promise((resolve) => setTimeout(resolve, Number(context.bindingData.ms)));
  return `slept ${context.bindingData.ms} ms`;
};
